package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** `./kshift apply -f my.yaml` reads my.yaml where the user ran it, though the script runs from the repository. */
class CallerPathTest {
    @AfterEach
    void clear() {
        System.clearProperty("kshift.caller.dir");
    }

    @Test
    void aRelativeFileIsTheCallersAndAnAbsoluteOneIsItself() {
        System.setProperty("kshift.caller.dir", "/home/me/mesh");
        assertThat(ApiCommands.callerPath("routes/v2.yaml")).isEqualTo(Path.of("/home/me/mesh/routes/v2.yaml"));
        assertThat(ApiCommands.callerPath("/tmp/x.yaml")).isEqualTo(Path.of("/tmp/x.yaml"));
    }

    @Test
    void withoutTheScriptTheWorkingDirectoryIsTheCallers() {
        assertThat(ApiCommands.callerPath("x.yaml")).isEqualTo(Path.of("x.yaml"));
    }
}
