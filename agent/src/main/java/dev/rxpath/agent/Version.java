package dev.rxpath.agent;

import dev.rxpath.api.BuildInfo;
import picocli.CommandLine.IVersionProvider;

/** --version: the build's version and commit, and the Java and kernel it runs on. */
final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return BuildInfo.lines();
    }
}
