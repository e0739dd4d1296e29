package dev.charlstm.cli;

import dev.charlstm.io.AtomicFiles;
import dev.charlstm.io.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --json} and {@code --output FILE} options of the commands that print a JSON result.
 *
 * <p>{@code --output} exists because stdout is not always the command's own: under
 * {@code mvn -q exec:java} Maven 3.8 wraps what the program prints in ANSI reset codes, so
 * {@code ... --json | jq .} fails. A file written by the command itself holds exactly the JSON,
 * and it is written atomically, so a script never reads half of it.
 */
final class JsonOutput {

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Write the JSON result to FILE (atomically) instead of stdout; implies --json.")
    Path output;

    /** True when the command should produce JSON rather than text. */
    boolean wanted() {
        return json || output != null;
    }

    /** Fails before any work is done when {@code --output} cannot be a file. */
    void check() {
        if (output != null && Files.isDirectory(output)) {
            throw new IllegalArgumentException("--output: " + output + " is a directory, not a file");
        }
    }

    /** Writes {@code result} as JSON to the {@code --output} file, or prints it on stdout. */
    void emit(Object result) throws IOException {
        String text = Json.PRETTY.writeValueAsString(result) + "\n";
        if (output != null) {
            AtomicFiles.writeString(output, text);
        } else {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            out.print(text);
            out.flush();
        }
    }
}
