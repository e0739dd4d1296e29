package dev.charlstm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {

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
