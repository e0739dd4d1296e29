package dev.charlstm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.serve.SamplingService;
import dev.charlstm.testing.ConsoleCapture;
import dev.charlstm.testing.TinyModels;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void anEmptyTokenIsRefusedRatherThanServingWithoutOne() {
        for (String empty : new String[] {"", " "}) {
            console.reset();
            assertThat(Main.run("serve", "--token", empty, "--model", "missing.zip", "--port", "0")).isEqualTo(2);
            assertThat(console.err()).isEqualTo("charlstm: error: --token (or CHARLSTM_TOKEN) is empty; unset it to "
                    + "serve without a token" + System.lineSeparator());
        }
    }

    @Test
    void bindsLoopbackUnlessToldOtherwise() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--model", "m.zip");
        assertThat(serve.host).isEqualTo("127.0.0.1");
        assertThat(serve.port).isEqualTo(8080);
        ServeCommand everywhere = new ServeCommand();
        new CommandLine(everywhere).parseArgs("--host", "0.0.0.0");
        assertThat(everywhere.host).isEqualTo("0.0.0.0");
        assertThat(serve.maxPerClient).isEqualTo(64);
        assertThat(serve.drainSeconds).isEqualTo(30);
    }

    @Test
    void aPortInUseOrAHostNotOfThisMachineIsOneLineAndExit2(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.zip");
        TinyModels.savePeaky(model);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            assertThat(Main.run("serve", "--model", model.toString(), "--port", String.valueOf(port))).isEqualTo(2);
            assertThat(console.err()).isEqualTo("charlstm: error: cannot listen on 127.0.0.1:" + port
                    + ": address already in use" + System.lineSeparator());
        }
        String[][] hosts = {
            {"192.0.2.1", "charlstm: error: cannot listen on 192.0.2.1 (192.0.2.1): not an address of this machine"},
            {"no-such-host.invalid", "charlstm: error: cannot listen on no-such-host.invalid: the name does not resolve"},
        };
        for (String[] h : hosts) {
            console.reset();
            assertThat(Main.run("serve", "--model", model.toString(), "--port", "0", "--host", h[0])).isEqualTo(2);
            assertThat(console.err()).isEqualTo(h[1] + System.lineSeparator());
        }
    }

    @Test
    void theTokenCanComeFromAFileOrTheEnvironmentInsteadOfTheProcessList(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "s3cret-from-file\n");
        assertThat(parse("--token-file", file.toString()).token()).isEqualTo("s3cret-from-file");
        ServeCommand env = parse();
        env.environment = name -> name.equals("CHARLSTM_TOKEN") ? "from-env" : null;
        assertThat(env.token()).isEqualTo("from-env");
        ServeCommand flag = parse("--token", "from-flag");
        flag.environment = env.environment;
        assertThat(flag.token()).isEqualTo("from-flag");
        Files.writeString(file, "\n");
        assertThatThrownBy(() -> parse("--token-file", file.toString()).token())
                .hasMessage("--token-file " + file + " is empty; unset it to serve without a token");
        assertThatThrownBy(() -> parse("--token-file", dir.resolve("none").toString()).token())
                .hasMessageContaining("cannot read");
        assertThatThrownBy(() -> parse("--token", "a", "--token-file", file.toString()).token())
                .hasMessage("give --token or --token-file, not both");
        // A Latin-1 file would otherwise become a token with U+FFFD in it that no client can send.
        Files.write(file, new byte[] {'s', (byte) 0xE9, 'c', '\n'});
        assertThatThrownBy(() -> parse("--token-file", file.toString()).token())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--token-file: " + file + " is not UTF-8 text");
    }

    @Test
    void loadtestSaysWhyEveryRequestFailsAndExits2(@TempDir Path dir) throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort(); // closed again: nothing listens there
        }
        assertThat(Main.run("loadtest", "--url", "http://127.0.0.1:" + dead, "--clients", "1", "--requests", "1",
                "--length", "5")).isEqualTo(2);
        assertThat(console.err()).startsWith("charlstm: error: loadtest: the first request to http://127.0.0.1:" + dead
                + "/v1/generate failed: cannot connect (ConnectException").doesNotContain("NaN");
        assertThat(console.err().lines().count()).isEqualTo(1);

        TinyModels.savePeaky(dir.resolve("a").resolve("model.zip"));
        TinyModels.savePeaky(dir.resolve("b").resolve("model.zip"));
        SamplingService service = SamplingService.start(
                new SamplingService.Config(dir, null, "127.0.0.1", 0, null));
        try {
            String url = "http://127.0.0.1:" + service.port();
            console.reset();
            assertThat(Main.run("loadtest", "--url", url, "--clients", "1", "--requests", "1", "--length", "5"))
                    .isEqualTo(2);
            assertThat(console.err()).isEqualTo("charlstm: error: loadtest: the first request to " + url
                    + "/v1/generate failed: HTTP 400: 'model' is required: this service has [a, b]"
                    + System.lineSeparator());
            console.reset();
            assertThat(Main.run("loadtest", "--url", url, "--model", "b", "--clients", "1,2", "--requests", "1",
                    "--length", "5")).isZero();
            assertThat(console.out()).doesNotContain("NaN").contains("clients");
        } finally {
            service.stop(5);
        }
    }

    private static ServeCommand parse(String... args) {
        ServeCommand serve = new ServeCommand();
        serve.environment = name -> null;
        new CommandLine(serve).parseArgs(args);
        return serve;
    }
}
