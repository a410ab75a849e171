package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.KeyRotationFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code skiff keys rotate|sign-rotation|show-rotation}: the offline ceremony that hands a receiver's trust
 * from the current publisher keys to new ones (docs/operations.md, "Key rotation"). One holder writes the
 * statement, every other holder adds a signature, anyone shows what it says; {@code push --rotation} sends it.
 */
final class KeyRotationCommands {
    private KeyRotationCommands() {
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Write a key rotation statement (--out): receivers then trust the new keys for SCOPE instead of the current ones.",
                    "A receiver takes it once a threshold of its current keys and a threshold of the new keys have signed it.",
                    "--sign-key and private --new-key files sign it now; other holders add theirs with 'skiff keys sign-rotation'."})
    static final class Rotate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--new-key", required = true, paramLabel = "FILE", description = {"A key of the new set: its signing-pub.pem,"
                + " or its signing-key.pem, which then signs too. Repeat for each new key (at most 16)."})
        List<Path> newKeys = new ArrayList<>();

        @Option(names = "--threshold", required = true, paramLabel = "N",
                description = "How many of the new keys must sign a release from now on (and must sign this statement).")
        int threshold;

        @Option(names = "--sequence", required = true, paramLabel = "N",
                description = "Which rotation of the scope this is: 1 replaces the keys receivers are configured with, N replaces rotation N-1.")
        long sequence;

        @Option(names = "--channel", paramLabel = "SCOPE", defaultValue = "*", description = {"Whose keys rotate: '*' (default) for"
                + " the keys of every channel (receive --trust-key), or a [[trust]] table's channel glob exactly as written there."})
        String scope;

        @Option(names = "--sign-key", paramLabel = "FILE", description = "A current key (signing-key.pem) that signs now; repeat for each one at hand.")
        List<Path> signKeys = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The statement file to write (must not exist).")
        Path out;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), Skiff.rotateKeys(scope, sequence, threshold, newKeys, signKeys, out), json);
            return ExitStatus.SUCCESS;
        }
    }

    @Command(name = "sign-rotation", mixinStandardHelpOptions = true,
            description = {"Add the signature of each --sign-key to the key rotation statement FILE (rewritten whole, never half-signed).",
                    "Check what it says first: 'skiff keys show-rotation FILE'."})
    static final class SignRotation implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The statement from 'skiff keys rotate'.")
        Path file;

        @Option(names = "--sign-key", required = true, paramLabel = "FILE",
                description = "A private key (signing-key.pem) of the current or of the new key set; repeat for several.")
        List<Path> signKeys = new ArrayList<>();

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), Skiff.signKeyRotation(file, signKeys), json);
            return ExitStatus.SUCCESS;
        }
    }

    @Command(name = "show-rotation", mixinStandardHelpOptions = true,
            description = {"Print what the key rotation statement FILE hands trust to and which keys signed it.",
                    "The new keys' signatures are checked here; the current keys' only receivers can check."})
    static final class ShowRotation implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The statement from 'skiff keys rotate'.")
        Path file;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), Skiff.readKeyRotation(file), json);
            return ExitStatus.SUCCESS;
        }
    }

    private static void print(PrintWriter out, KeyRotationFile r, boolean json) {
        if (json) {
            JsonOut j = new JsonOut().beginObject().field("file", r.file().toString()).field("scope", r.scope())
                    .field("sequence", r.sequence()).field("threshold", r.threshold());
            j.name("keys").beginArray();
            r.keyIds().forEach(j::value);
            j.endArray().name("signed_by").beginArray();
            r.signedBy().forEach(j::value);
            j.endArray().field("valid_by_new_keys", r.validByNewKeys()).field("new_keys_signed", r.newKeysSigned());
            out.println(j.endObject());
            return;
        }
        out.println("key rotation " + r.sequence() + " of scope " + r.scope() + " in " + r.file() + ": " + r.threshold() + " of "
                + r.keyIds().size() + " new key(s) " + String.join(", ", r.keyIds().stream().map(KeyRotationCommands::shortId).toList()));
        out.println(r.signedBy().size() + " signature(s)" + (r.signedBy().isEmpty() ? "" : " by "
                + String.join(", ", r.signedBy().stream().map(KeyRotationCommands::shortId).toList())) + "; " + r.validByNewKeys()
                + " valid by new keys, " + r.threshold() + " needed" + (r.newKeysSigned() ? "" : " (their holders run skiff keys sign-rotation)")
                + "; the current keys' threshold is checked by each receiver");
    }

    private static String shortId(String hex) {
        return hex.substring(0, 12);
    }
}
