package dev.rxpath.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rxpath completion bash|zsh}: the shell completion script for the client's commands,
 * their flags and the values flags take (verdicts, stages, sorts, formats), as picocli draws it
 * from the commands themselves. One script serves both shells: under zsh it loads bash's
 * completion layer first.
 */
@Command(name = "completion", description = {"Print a shell completion script.",
        "bash: source <(rxpath completion bash)   zsh: source <(rxpath completion zsh)"})
final class CompletionCommand implements Callable<Integer> {
    enum Shell { bash, zsh }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh")
    Shell shell;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("rxpath", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
