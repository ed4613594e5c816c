package io.kshift.proxy.routing;

/**
 * How a route table was built: virtual hosts compiled afresh or taken from the previous table, destinations whose
 * state was kept or carried over from a changed destination, whether the mesh port's table was the last one patched
 * rather than built whole, and how long the build took (decode of the snapshot included). Logged as each table is
 * applied; the time is reported in {@code ProxyStatus}.
 */
public record BuildReport(int hostsCompiled, int hostsReused, int destinationsCarried, int destinationsChanged,
                          boolean meshPatched, long buildMillis) {
    public static final BuildReport NONE = new BuildReport(0, 0, 0, 0, false, 0);

    public BuildReport withMillis(long millis) {
        return new BuildReport(hostsCompiled, hostsReused, destinationsCarried, destinationsChanged, meshPatched,
                millis);
    }
}
