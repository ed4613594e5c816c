package io.kshift.proxy.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WarmUpMeshTest {
    @Test
    void aRoundOfSyntheticBuildsIsOneWholeSnapshotAndTwentyDeltas() throws Exception {
        assertThat(WarmUpMesh.builds(1)).isEqualTo(21);
        assertThat(WarmUpMesh.builds(0)).isZero();
    }
}
