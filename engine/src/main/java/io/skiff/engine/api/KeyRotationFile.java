package io.skiff.engine.api;

import java.nio.file.Path;
import java.util.List;

/**
 * A key rotation statement file ({@code skiff keys rotate}, {@code sign-rotation}): what it hands trust to
 * and who has signed it so far.
 *
 * @param file           the statement file
 * @param scope          the channel glob whose keys it rotates ("*": the all-channel keys, {@code --trust-key})
 * @param sequence       which rotation of that scope it is: 1 replaces the configured keys, N replaces rotation N-1
 * @param threshold      how many of the new keys must sign a release (and must have signed this rotation)
 * @param keyIds         the new keys' ids (hex SHA-256 of each public key's encoding), in the statement's order
 * @param signedBy       the key ids of its signatures, in order: the current keys' and the new keys'
 * @param validByNewKeys how many signatures by its own new keys verify (the current keys' only receivers can check)
 */
public record KeyRotationFile(Path file, String scope, long sequence, int threshold, List<String> keyIds, List<String> signedBy,
                              int validByNewKeys) {
    public KeyRotationFile {
        keyIds = List.copyOf(keyIds);
        signedBy = List.copyOf(signedBy);
    }

    /** Whether enough of the new keys have signed; the current keys' threshold is the receivers' to check. */
    public boolean newKeysSigned() {
        return validByNewKeys >= threshold;
    }
}
