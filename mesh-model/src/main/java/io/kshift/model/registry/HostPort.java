package io.kshift.model.registry;

/** An endpoint address to connect to. */
public record HostPort(String host, int port) {
    @Override
    public String toString() {
        return host + ":" + port;
    }
}
