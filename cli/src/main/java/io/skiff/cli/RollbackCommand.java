package io.skiff.cli;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.RollbackReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code skiff rollback}: an operator on the server switches a channel back to a retained release. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Switch a channel of a receiver root back to a retained release, on purpose.",
                "Atomic (current renamed over) and recorded in the audit trail as a rollback by operator: the rollback signed",
                "releases allow besides a publisher's push --allow-downgrade. Safe while the receiver runs."})
final class RollbackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Receiver root directory.")
    Path root;

    @Option(names = "--channel", required = true, paramLabel = "NAME", description = "The channel to switch back.")
    String channel;

    @Option(names = "--to", paramLabel = "VERSION", description = "The retained release to switch to (default: the one activated before the current).")
    String to;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        RollbackReport r = Skiff.rollback(root, channel, to);
        if (json) {
            spec.commandLine().getOut().println(new JsonOut().beginObject().field("channel", r.channel()).field("from_version", r.fromVersion())
                    .field("from_release_id", r.fromId()).field("to_version", r.toVersion()).field("to_release_id", r.toId()).endObject());
        } else {
            spec.commandLine().getOut().printf("%s: switched back from %s (%s) to %s (%s)%n", r.channel(), r.fromVersion(),
                    r.fromId().substring(0, 12), r.toVersion(), r.toId().substring(0, 12));
        }
        return ExitStatus.SUCCESS;
    }
}
