package io.skiff.engine.api;

import java.nio.file.Path;
import java.util.List;

/**
 * The publisher keys a receiver trusts for every channel ({@code receive --trust-key FILE ...}): a
 * release is activated only when signed by at least {@code threshold} of them.
 *
 * @param keys      public key files ({@code signing-pub.pem} from {@code skiff keys gen-signing})
 * @param threshold how many distinct keys must have signed, 1 to the number of keys
 */
public record TrustKeys(List<Path> keys, int threshold) {
    public TrustKeys {
        keys = List.copyOf(keys);
        if (keys.isEmpty() || threshold < 1 || threshold > keys.size()) {
            throw new IllegalArgumentException("threshold " + threshold + " of " + keys.size() + " trusted key(s)");
        }
    }
}
