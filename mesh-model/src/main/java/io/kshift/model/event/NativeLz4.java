package io.kshift.model.event;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.logging.Logger;
import net.jpountz.lz4.LZ4Factory;

/**
 * Makes Kafka's lz4 (snapshots are lz4 on the bus) use lz4-java's JNI codec inside Quarkus apps.
 *
 * <p>lz4-java loads its native library on its own only when its classes come from the system class loader; in a
 * Quarkus app they do not, so Kafka's {@code Lz4BlockInputStream} got the pure-Java "safe" codec: at 10,000
 * resources decompressing the snapshots of one change was half of config-service's CPU for it. Loading the
 * library once, before the first Kafka client starts, makes {@code LZ4Factory.fastestInstance()} answer JNI.
 * Where the library cannot load (another class loader has it, an unknown platform) the Java codec stays.
 */
@ApplicationScoped
public class NativeLz4 {
    private static final Logger LOG = Logger.getLogger(NativeLz4.class.getName());

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object context) {
        load();
    }

    /** True when Kafka's lz4 now runs natively. */
    public static boolean load() {
        try {
            LZ4Factory.nativeInstance();
            return true;
        } catch (Throwable e) {
            LOG.fine(() -> "lz4 stays in Java: " + e);
            return false;
        }
    }
}
