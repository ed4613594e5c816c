package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The chunked body of an upgrade that was not switched, read whole before it is passed back. */
class ChunkedTest {
    @Test
    void aChunkedBodyIsCompleteOnlyAtItsLastChunk() {
        assertThat(UpgradeTunnel.Chunked.decode(Buffer.buffer("5\r\nhello\r\n6;x=1\r\n world\r\n"))).isNull();
        assertThat(UpgradeTunnel.Chunked.decode(Buffer.buffer("5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n"))
                .toString()).isEqualTo("hello world");
        assertThat(UpgradeTunnel.Chunked.decode(Buffer.buffer("3\r\nabc\r\n0\r\nx-trailer: 1\r\n\r\n")).toString())
                .isEqualTo("abc");
        assertThat(UpgradeTunnel.Chunked.decode(Buffer.buffer("3\r\nab"))).isNull();
        assertThat(UpgradeTunnel.Chunked.decode(Buffer.buffer("zz\r\n"))).isNull();
    }
}
