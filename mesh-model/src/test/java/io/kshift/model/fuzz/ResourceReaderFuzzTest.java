package io.kshift.model.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.BodySyntaxException;
import io.kshift.model.codec.ResourceReader;

/**
 * Whatever bytes a client posts, the reader answers with resources and messages or a syntax error naming the
 * line: never another exception, never a hang. In a build this runs its saved inputs; {@code JAZZER_FUZZ=1}
 * fuzzes it (README, Tests).
 */
class ResourceReaderFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void yamlBodiesAreReadOrRefused(byte[] body) {
        read(body, BodyFormat.YAML);
    }

    @FuzzTest(maxDuration = "30s")
    void jsonBodiesAreReadOrRefused(byte[] body) {
        read(body, BodyFormat.JSON);
    }

    private static void read(byte[] body, BodyFormat format) {
        try {
            ResourceReader.readBody(body, format);
        } catch (BodySyntaxException refused) {
            // A clear refusal: what a client gets as 400 with the line.
        }
    }
}
