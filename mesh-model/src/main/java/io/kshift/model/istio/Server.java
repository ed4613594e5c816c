package io.kshift.model.istio;

import io.kshift.model.Lists;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/** One {@code servers[]} entry of a Gateway. */
public record Server(@NotNull(message = "is required") @Valid ServerPort port, List<String> hosts, String bind,
                     String name, @Valid ServerTlsSettings tls) {
    public Server(ServerPort port, List<String> hosts, String bind, String name) {
        this(port, hosts, bind, name, null);
    }

    public Server {
        hosts = Lists.copy(hosts);
    }
}
