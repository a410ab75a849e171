package io.skiff.cli;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.SkiffException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** {@code skiff}: the top-level command. Subcommands are thin layers over the engine API. */
@Command(name = "skiff",
        mixinStandardHelpOptions = true,
        versionProvider = SkiffCommand.Version.class,
        description = "Verified, chunked, delta-aware distribution of large data-file releases.",
        // subcommands: see COMMANDS, added by execute(); the exit codes: ExitStatus
        footer = {"", "Exit codes:",
                "  0   success",
                "  2   usage error, or the source cannot be used",
                "  3   target unreachable, connection lost, or cannot listen",
                "  10  protocol violation;  11  manifest or path rejected",
                "  12  integrity failure (hash mismatch, or a broken audit trail)",
                "  13  storage failure on the receiver;  14  release busy on another connection",
                "  15  refused by the receiver's policy;  16  TLS handshake failed (certificate, CA, plaintext)",
                "  17  not authorized (no grant for the channel or action);  18  tenant over quota",
                "  19  release (or its key rotation) not signed as the receiver trusts;  20  rollback refused",
                "  21  failed the receiver's smoke test: switched back to the previous release",
                "  70  internal error",
                "", "Run 'skiff COMMAND --help' for a command's options. Docs: docs/operations.md"})
public final class SkiffCommand implements Runnable {
    private static final String NETTY_JFR = "io.netty.jfr.enabled";
    /** "help", which needs every other command to describe them. */
    static final String HELP = "help";
    /**
     * The subcommands, by the name each one's {@code @Command} gives it, in the order help lists them.
     * A command line naming one gets only that one: picocli builds a command's model by reflection when
     * it is added, and building the others showed in every push's start (docs/benchmarks.md, "Figures
     * behind the code"). Anything else (no command, an option, help,
     * a typo) gets them all, for the usage and the suggestions.
     */
    static final Map<String, Supplier<Object>> COMMANDS = commands();

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("push", PushCommand::new);
        commands.put("receive", ReceiveCommand::new);
        commands.put("serve", ServeCommand::new);
        commands.put("manifest", ManifestCommand::new);
        commands.put("diff", DiffCommand::new);
        commands.put("status", StatusCommand::new);
        commands.put("verify", VerifyCommand::new);
        commands.put("gc", GcCommand::new);
        commands.put("audit", AuditCommand::new);
        commands.put("history", HistoryCommand::new);
        commands.put("rollback", RollbackCommand::new);
        commands.put("keys", KeysCommand::new);
        commands.put("demo", DemoCommand::new);
        commands.put(HELP, CommandLine.HelpCommand::new);
        return Collections.unmodifiableMap(commands);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        configureLogging(args);
        // Netty 4.2 reports pool chunk allocations as JFR events; the first one loads the JFR framework in
        // the middle of every push's start (docs/benchmarks.md). A -D on the command line still wins.
        if (System.getProperty(NETTY_JFR) == null) {
            System.setProperty(NETTY_JFR, "false");
        }
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line with the given streams; returns the exit code (used by tests in-process too). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new SkiffCommand());
        String named = args.length > 0 && !args[0].equals(HELP) && COMMANDS.containsKey(args[0]) ? args[0] : null;
        for (Map.Entry<String, Supplier<Object>> command : COMMANDS.entrySet()) {
            if (named == null || named.equals(command.getKey())) {
                cli.addSubcommand(command.getKey(), command.getValue().get());
            }
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof SkiffException s) {
                commandLine.getErr().println("skiff: error: " + s.getMessage());
                return ExitStatus.of(s.code());
            }
            commandLine.getErr().println("skiff: internal error: " + e);
            e.printStackTrace(commandLine.getErr());
            return ExitStatus.of(ErrorCode.INTERNAL);
        });
        return cli.execute(args);
    }

    /** Operators of the daemon want its lifecycle lines; a pipeline calling push wants only warnings. */
    private static void configureLogging(String[] args) {
        String level = System.getenv("SKIFF_LOG_LEVEL");
        if (level == null) {
            level = args.length > 0 && (args[0].equals("receive") || args[0].equals("serve")) ? "info" : "warn";
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SkiffCommand.class.getPackage().getImplementationVersion();
            return new String[]{"skiff " + (v == null ? "dev" : v)};
        }
    }
}
