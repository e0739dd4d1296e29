package dev.charlstm.scrape;

/** One fetch attempt failed; says whether trying again could help and whether the host was reachable. */
final class FetchFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final boolean networkUnreachable;

    private FetchFailure(String what, boolean retryable, boolean networkUnreachable, Throwable cause) {
        super(what, cause);
        this.retryable = retryable;
        this.networkUnreachable = networkUnreachable;
    }

    /** The server could not be reached; worth retrying since networks and DNS hiccup. */
    static FetchFailure unreachable(String what, Throwable cause) {
        return new FetchFailure(what, true, true, cause);
    }

    /** Reached the server but the exchange broke or came back with a transient error. */
    static FetchFailure transientFailure(String what, Throwable cause) {
        return new FetchFailure(what, true, false, cause);
    }

    /** Asking again would get the same answer. */
    static FetchFailure permanent(String what, Throwable cause) {
        return new FetchFailure(what, false, false, cause);
    }

    boolean retryable() {
        return retryable;
    }

    boolean networkUnreachable() {
        return networkUnreachable;
    }
}
