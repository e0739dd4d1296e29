package dev.charlstm.cli;

import dev.charlstm.model.ModelFileException;
import dev.charlstm.scrape.ScrapeException;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code charlstm} command line: {@code train}, {@code sample}, {@code evaluate}, {@code serve},
 * {@code scrape}.
 *
 * <p>Every failure a user can cause ends as one line on stderr and a non-zero exit code: 2 for
 * bad arguments or input, 1 for anything else. The stack trace goes to the log file
 * ({@code logs/charlstm.log}), or to the terminal with {@code --verbose}.
 */
@Command(name = "charlstm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Learns to write like a body of text, one character at a time.",
        subcommands = {TrainCommand.class, SampleCommand.class, EvaluateCommand.class, ServeCommand.class,
                ScrapeCommand.class, LoadTestCommand.class, BenchCommand.class})
public final class Main implements Runnable {

    static {
        // The library jar must not impose a logging setup on the programs that use it, so the
        // command line's configuration is not the default logback.xml but is chosen here, before
        // the first logger exists. A user's own -Dlogback.configurationFile still wins.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "dev/charlstm/cli/logback.xml");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    /** Exit code for bad arguments or input. */
    static final int USAGE = 2;

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors on the terminal.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (the tests call this). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handle);
        cli.setParameterExceptionHandler(Main::handleUsage);
        cli.getSubcommands().get("train").getCommandSpec().usageMessage()
                .footer(dev.charlstm.train.TrainConfig.describeKeys().replace("%", "%%"));
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int handleUsage(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("charlstm: error: " + oneLine(e) + " (see '"
                + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return USAGE;
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean verbose = parsed.hasMatchedOption("--verbose")
                || (parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose"));
        log.debug("Command failed", e);
        PrintWriter err = cmd.getErr();
        err.println("charlstm: error: " + oneLine(e));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return isUsersInput(e) ? USAGE : 1;
    }

    private static boolean isUsersInput(Exception e) {
        return e instanceof IllegalArgumentException || e instanceof ModelFileException
                || e instanceof dev.charlstm.generate.InvalidModelException
                || e instanceof ScrapeException || e instanceof java.nio.file.NoSuchFileException;
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"charlstm " + dev.charlstm.train.Training.projectVersion()};
        }
    }
}
