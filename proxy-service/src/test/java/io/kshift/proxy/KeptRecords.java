package io.kshift.proxy;

import io.smallrye.reactive.messaging.kafka.Record;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * An emitter that keeps what it was handed, in order, and acknowledges each send at once: for tests of what a
 * reporter sends and when (the bus keeps the order for one key); tests on a real broker cover the sending itself.
 */
public final class KeptRecords implements Emitter<Record<String, String>> {
    public final List<Record<String, String>> records = Collections.synchronizedList(new ArrayList<>());
    public final AtomicInteger count = new AtomicInteger();

    @Override
    public CompletionStage<Void> send(Record<String, String> record) {
        records.add(record);
        count.incrementAndGet();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public <M extends Message<? extends Record<String, String>>> void send(M msg) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void complete() {
    }

    @Override
    public void error(Exception e) {
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public boolean hasRequests() {
        return true;
    }
}
