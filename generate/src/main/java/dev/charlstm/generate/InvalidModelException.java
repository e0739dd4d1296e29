package dev.charlstm.generate;

import java.io.IOException;

/**
 * A model that cannot be used: missing, corrupt, truncated, of another format, too old or too
 * new. The message is one line, {@code "<source>: <problem>"}, fit to show a user.
 */
public final class InvalidModelException extends IOException {

    private final String source;
    private final String problem;

    /**
     * @param source  where the model came from: a file, {@code classpath:/…} or a stream's name
     * @param problem what is wrong with it, in words for the user
     */
    public InvalidModelException(String source, String problem) {
        this(source, problem, null);
    }

    public InvalidModelException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
        this.problem = problem;
    }

    /** Where the model came from. */
    public String source() {
        return source;
    }

    /** What is wrong with it. */
    public String problem() {
        return problem;
    }
}
