package dev.rxpath.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What `rxpath --version` says, for the CLI and the agent alike: the version, the commit the
 * build came from (marked when the tree had uncommitted changes), when it was built, and the
 * Java and kernel it runs on. The build writes the git facts next to this class.
 */
public final class BuildInfo {
    private BuildInfo() {}

    public static String[] lines() {
        Properties git = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("git.properties")) {
            if (in != null) git.load(in);
        } catch (IOException e) {
            // no git facts: the version line says so
        }
        String version = git.getProperty("git.build.version", "unknown version");
        String commit = git.getProperty("git.commit.id.abbrev");
        String source = commit == null ? "built outside a git checkout"
                : "git " + commit + ("true".equals(git.getProperty("git.dirty")) ? " with uncommitted changes" : "")
                        + ", committed " + git.getProperty("git.commit.time") + ", built " + git.getProperty("git.build.time");
        return new String[] {
                "rxpath " + version + " (" + source + ")",
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                        + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch")};
    }
}
