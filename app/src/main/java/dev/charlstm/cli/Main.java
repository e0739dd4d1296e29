package dev.charlstm.cli;

import dev.charlstm.generate.InvalidModelException;
import dev.charlstm.scrape.ScrapeException;
import dev.charlstm.train.TrainConfig;
import dev.charlstm.train.Training;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code charlstm} command line. Its commands:
 * <ul>
 *   <li>{@code train}: train a character LSTM and write {@code model.zip}, {@code metrics.json} and
 *       {@code loss.png} ({@link TrainCommand});</li>
 *   <li>{@code sample}: generate text from a trained model ({@link SampleCommand});</li>
 *   <li>{@code evaluate}: a model's loss on a text ({@link EvaluateCommand});</li>
 *   <li>{@code serve}: serve trained models over HTTP ({@link ServeCommand});</li>
 *   <li>{@code scrape}: fetch the FAQ page and write its text and provenance ({@link ScrapeCommand});</li>
 *   <li>{@code loadtest}: measure a running service's throughput and latency ({@link LoadTestCommand});</li>
 *   <li>{@code bench}: measure training and sampling speed on the reference network ({@link BenchCommand});</li>
 *   <li>{@code upgrade-model}: rewrite older model files in the current format ({@link UpgradeModelCommand}).</li>
 * </ul>
 *
 * <p>Every failure a user can cause ends as one line on stderr and a non-zero exit code: 2 for
 * bad arguments or input, 1 for anything else. The stack trace goes to the log file
 * ({@code logs/charlstm.log}), or to the terminal with {@code --verbose}.
 */
@Command(name = "charlstm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Learns to write like a body of text, one character at a time.",
        subcommands = {TrainCommand.class, SampleCommand.class, EvaluateCommand.class, ServeCommand.class,
                ScrapeCommand.class, LoadTestCommand.class, BenchCommand.class, UpgradeModelCommand.class})
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
                .footer(TrainConfig.describeKeys().replace("%", "%%"));
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int handleUsage(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        String message = oneLine(e);
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            message = withSuggestion(unmatched, message);
        }
        err.println("charlstm: error: " + message + " (see '"
                + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return USAGE;
    }

    /**
     * A mistyped command ('sampel') gets the closest command named, as git does, rather than
     * picocli's "Unmatched argument at index 0".
     */
    private static String withSuggestion(CommandLine.UnmatchedArgumentException e, String message) {
        CommandLine cmd = e.getCommandLine();
        List<String> unmatched = e.getUnmatched();
        // The top level takes no positional arguments, so a bare word there can only be a command.
        boolean isCommandPosition = !cmd.getSubcommands().isEmpty() && !unmatched.isEmpty()
                && !unmatched.get(0).startsWith("-");
        if (isCommandPosition) {
            String word = unmatched.get(0);
            String closest = closest(word, cmd.getSubcommands().keySet());
            return "unknown command '" + word + "'" + (closest == null ? "" : "; did you mean '" + closest + "'?");
        }
        List<String> suggestions = e.getSuggestions();
        return suggestions.isEmpty() ? message : message + "; did you mean '" + suggestions.get(0) + "'?";
    }

    /** The name at the smallest edit distance from {@code word}, if it is close enough to be a typo. */
    static String closest(String word, Collection<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : names) {
            int d = editDistance(word.toLowerCase(Locale.ROOT), name);
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        // More than half the letters wrong is another word, not a typo of this one.
        return bestDistance <= Math.max(1, word.length() / 2) ? best : null;
    }

    /** Levenshtein distance, counting a swap of two neighbouring letters as one edit. */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
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
        return e instanceof IllegalArgumentException || e instanceof InvalidModelException
                || e instanceof ScrapeException || e instanceof NoSuchFileException;
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
            return new String[] {"charlstm " + Training.projectVersion()};
        }
    }
}
