package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.IssuedIdentity;
import io.skiff.engine.api.SigningKeyFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code skiff keys init|issue|gen-signing|rotate|sign-rotation|show-rotation}: a deployment's CA and node identities
 * without a PKI, publisher signing keys, and the rotation of trust to new signing keys ({@link KeyRotationCommands}).
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Make the keys of a deployment without a PKI: a CA, and node identities it signs;",
                "a publisher's release signing keys, and the statements that rotate receivers' trust to new ones.",
                "Each directory gets ca.pem, cert.pem and key.pem (keys 0600); nothing is ever overwritten."},
        subcommands = {KeysCommand.Init.class, KeysCommand.Issue.class, KeysCommand.GenSigning.class, KeyRotationCommands.Rotate.class,
                KeyRotationCommands.SignRotation.class, KeyRotationCommands.ShowRotation.class})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Write a new CA (ca.pem, ca-key.pem) and the identity skiff-node (cert.pem, key.pem) into DIR.",
                    "Keep ca-key.pem only where identities are issued; every node gets ca.pem."})
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "Directory for the keys (created if missing; must not hold any).")
        Path dir;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), Skiff.initKeys(dir), json);
            return ExitStatus.SUCCESS;
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = {"Write identity NAME, signed by the CA in CA_DIR, into OUTDIR (ca.pem, cert.pem, key.pem).",
                    "The identity is the certificate's common name and DNS name: what grants name."})
    static final class Issue implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "CA_DIR", description = "Directory holding ca.pem and ca-key.pem (from keys init).")
        Path caDir;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The identity, e.g. pipeline-eu or rx1.eu.example.")
        String name;

        @Option(names = "--out", required = true, paramLabel = "OUTDIR", description = "Directory for the new identity (must not hold cert.pem or key.pem).")
        Path out;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), Skiff.issueKeys(caDir, name, out), json);
            return ExitStatus.SUCCESS;
        }
    }

    @Command(name = "gen-signing", mixinStandardHelpOptions = true,
            description = {"Write a new Ed25519 release signing key pair into DIR.",
                    "signing-key.pem (0600) stays with the publisher; receivers trust signing-pub.pem.",
                    "Prints the key id that signatures name."})
    static final class GenSigning implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "Directory for the key pair (created if missing; must not hold one).")
        Path dir;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            SigningKeyFiles key = Skiff.generateSigningKey(dir);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new JsonOut().beginObject().field("key_id", key.keyId()).field("private_key", key.privateKey().toString())
                        .field("public_key", key.publicKey().toString()).endObject());
            } else {
                out.println("signing key " + key.keyId() + ": " + key.privateKey() + " (keep it with the publisher), "
                        + key.publicKey() + " (for receivers to trust)");
            }
            return ExitStatus.SUCCESS;
        }
    }

    private static void print(PrintWriter out, IssuedIdentity id, boolean json) {
        if (json) {
            out.println(new JsonOut().beginObject().field("identity", id.identity()).field("dir", id.dir().toString())
                    .field("not_after", id.notAfter().toString()).field("ca_sha256", id.caFingerprint()).endObject());
        } else {
            out.println("identity " + id.identity() + " in " + id.dir() + " (cert.pem, key.pem, ca.pem), valid until " + id.notAfter());
            out.println("CA sha256 " + id.caFingerprint());
        }
    }
}
