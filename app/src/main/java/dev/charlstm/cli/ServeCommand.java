package dev.charlstm.cli;

import dev.charlstm.serve.SamplingService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code serve}: the HTTP sampling service, until SIGTERM, SIGHUP or Ctrl-C stops it gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve trained models over HTTP (JSON, server-sent events, a page at /).")
final class ServeCommand implements Callable<Integer> {

    static final String TOKEN_VARIABLE = "CHARLSTM_TOKEN";

    static final class Source {
        @Option(names = "--models", paramLabel = "DIR",
                description = "Serve every <name>/model.zip and <name>.zip in DIR (default: models).")
        Path models;

        @Option(names = "--model", paramLabel = "PATH", description = "Serve this one model file.")
        Path model;
    }

    @ArgGroup(exclusive = true)
    Source source = new Source();

    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port = 8080;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Require 'Authorization: Bearer TOKEN' on every endpoint but /healthz and / "
                    + "(default: the " + TOKEN_VARIABLE + " environment variable, if set). Other users "
                    + "can read it in the process list: prefer --token-file or " + TOKEN_VARIABLE + ".")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Read the token from FILE (its first line), so that it never appears in the process list.")
    Path tokenFile;

    /** The environment, as a field so that tests can give their own. */
    Function<String, String> environment = System::getenv;

    @Option(names = "--max-per-client", paramLabel = "N",
            description = "Requests one client address may have in progress before it gets 429 "
                    + "(default: ${DEFAULT-VALUE}; behind a proxy every client shares the proxy's address).")
    int maxPerClient = 64;

    @Option(names = "--drain-seconds", description = "On SIGTERM or SIGHUP, wait this long for requests in flight, "
            + "then end them with an error (default: ${DEFAULT-VALUE}).")
    long drainSeconds = 30;

    @Override
    public Integer call() throws Exception {
        String secret = token();
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
        }
        if (drainSeconds < 0) {
            throw new IllegalArgumentException("--drain-seconds must be >= 0, got " + drainSeconds);
        }
        Path dir = source.models == null && source.model == null ? Path.of("models") : source.models;
        SamplingService service = SamplingService.start(new SamplingService.Config(dir, source.model, host, port, secret),
                maxPerClient);
        System.err.printf("charlstm: serving on http://%s:%d/ (SIGTERM or Ctrl-C to stop)%n", host, service.port());
        CountDownLatch stop = new CountDownLatch(1);
        // Our own handlers instead of shutdown hooks, so that a stop finishes requests in flight and
        // exits 0. SIGHUP (the terminal went away) stops the same way rather than killing with 129.
        for (String signal : new String[] {"TERM", "INT", "HUP"}) {
            Signal.handle(new Signal(signal), s -> stop.countDown());
        }
        stop.await();
        System.err.println("charlstm: stopping, finishing requests in flight (at most " + drainSeconds + " s)...");
        boolean clean = service.stop(drainSeconds);
        if (!clean) {
            System.err.println("charlstm: ended the requests still running after " + drainSeconds + " s");
        }
        return 0; // ending late requests with an error at the deadline is the drain working as documented
    }

    /** The token from --token, --token-file or the environment, in that order; null for none. */
    String token() throws IOException {
        if (token != null && tokenFile != null) {
            throw new IllegalArgumentException("give --token or --token-file, not both");
        }
        String secret;
        String from;
        if (tokenFile != null) {
            if (!Files.isReadable(tokenFile)) {
                throw new IllegalArgumentException("--token-file: cannot read " + tokenFile);
            }
            String text = Files.readString(tokenFile, StandardCharsets.UTF_8);
            secret = text.lines().findFirst().orElse("").strip();
            from = "--token-file " + tokenFile;
        } else if (token != null) {
            secret = token;
            from = "--token";
        } else {
            secret = environment.apply(TOKEN_VARIABLE);
            from = TOKEN_VARIABLE;
        }
        if (secret != null && secret.isBlank()) {
            // An empty secret is nearly always an unset shell variable ("--token $TOKEN"); serving
            // without authentication because of it would fail open.
            throw new IllegalArgumentException((from.equals("--token") || from.equals(TOKEN_VARIABLE)
                    ? "--token (or " + TOKEN_VARIABLE + ")" : from) + " is empty; unset it to serve without a token");
        }
        return secret;
    }
}
