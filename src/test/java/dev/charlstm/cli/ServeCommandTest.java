package dev.charlstm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.testing.ConsoleCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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
    }
}
