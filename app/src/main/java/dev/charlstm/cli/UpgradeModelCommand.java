package dev.charlstm.cli;

import dev.charlstm.model.ModelFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code upgrade-model}: rewrites model files of an older format version in the current one, so
 * that the library ({@code charlstm-generate}, which reads only the plain weights) can load them.
 * Each file is replaced atomically; checkpoints keep their optimiser and trainer state.
 */
@Command(name = "upgrade-model", mixinStandardHelpOptions = true,
        description = "Rewrite model files written by an older charlstm in the current format (adds the plain "
                + "weights the library reads). Each file is replaced atomically; files already current are left alone.")
final class UpgradeModelCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "MODEL", description = "Model files, or folders holding model.zip.")
    List<Path> models = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        for (Path model : models) {
            Path file = ModelPaths.modelFile(model);
            ModelFile.Upgrade done = ModelFile.upgrade(file);
            System.out.println(done.upgraded()
                    ? file + ": upgraded from format version " + done.fromVersion() + " to " + done.toVersion()
                    : file + ": already format version " + done.toVersion() + "; left as it is");
        }
        return 0;
    }
}
