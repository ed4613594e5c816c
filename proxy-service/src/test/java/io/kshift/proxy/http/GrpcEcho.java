package io.kshift.proxy.http;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gRPC server (grpc-java, HTTP/2) for one version: {@code kshift.test.Echo/Say} answers
 * {@code "<version> <request>"}; {@code Fail} fails with UNAVAILABLE, as a trailers-only answer, while
 * {@code failures} lasts, then answers like Say; {@code Deny} fails with PERMISSION_DENIED and a trailer of its
 * own after the headers; {@code Count} streams three answers; {@code Chat} answers each message as it comes. Methods use byte-array marshallers: no protoc.
 */
final class GrpcEcho implements AutoCloseable {
    static final String SERVICE = "kshift.test.Echo";
    /** Declared first: the method descriptors below take it. */
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<byte[], byte[]> SAY = method("Say", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> DENY = method("Deny", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> COUNT = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<byte[], byte[]> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
    static final Metadata.Key<String> REASON = Metadata.Key.of("x-deny-reason", Metadata.ASCII_STRING_MARSHALLER);

    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    private final Server server;

    private GrpcEcho(String version) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(SAY, ServerCalls.asyncUnaryCall((request, out) -> {
                    calls.incrementAndGet();
                    out.onNext(text(version + " " + text(request)));
                    out.onCompleted();
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, out) -> {
                    calls.incrementAndGet();
                    if (failures.getAndDecrement() > 0) {
                        out.onError(Status.UNAVAILABLE.withDescription(version + " is warming up").asException());
                    } else {
                        out.onNext(text(version + " " + text(request)));
                        out.onCompleted();
                    }
                }))
                .addMethod(DENY, ServerCalls.asyncUnaryCall((request, out) -> {
                    calls.incrementAndGet();
                    Metadata trailers = new Metadata();
                    trailers.put(REASON, "no-" + version);
                    out.onError(Status.PERMISSION_DENIED.withDescription("denied by " + version)
                            .asException(trailers));
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(out -> new io.grpc.stub.StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] message) {
                        calls.incrementAndGet();
                        out.onNext(text(version + " " + text(message)));
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((request, out) -> {
                    calls.incrementAndGet();
                    for (int i = 1; i <= 3; i++) {
                        out.onNext(text(version + " " + i));
                    }
                    out.onCompleted();
                }))
                .build();
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service).build()
                .start();
    }

    static GrpcEcho start(String version) throws IOException {
        return new GrpcEcho(version);
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }
}
