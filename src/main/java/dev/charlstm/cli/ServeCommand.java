package dev.charlstm.cli;

import dev.charlstm.serve.SamplingService;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code serve}: the HTTP sampling service, until SIGTERM or Ctrl-C stops it gracefully. */
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
                    + "(default: the " + TOKEN_VARIABLE + " environment variable, if set).")
    String token = System.getenv(TOKEN_VARIABLE);

    @Option(names = "--drain-seconds", description = "On SIGTERM, wait this long for requests in flight (default: ${DEFAULT-VALUE}).")
    long drainSeconds = 30;

    @Override
    public Integer call() throws Exception {
        if (token != null && token.isBlank()) {
            // An empty secret is nearly always an unset shell variable ("--token $TOKEN"); serving
            // without authentication because of it would fail open.
            throw new IllegalArgumentException("--token (or " + TOKEN_VARIABLE + ") is empty; "
                    + "unset it to serve without a token");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
        }
        Path dir = source.models == null && source.model == null ? Path.of("models") : source.models;
        SamplingService service = SamplingService.start(new SamplingService.Config(dir, source.model, host, port, token));
        System.err.printf("charlstm: serving on http://%s:%d/ (SIGTERM or Ctrl-C to stop)%n", host, service.port());
        CountDownLatch stop = new CountDownLatch(1);
        // Our own handlers instead of shutdown hooks, so that a stop finishes requests in flight and exits 0.
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        stop.await();
        System.err.println("charlstm: stopping, finishing requests in flight...");
        service.stop(drainSeconds);
        return 0;
    }
}
