package io.kshift.proxy.tcp;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol header (HAProxy's spec, versions 1 and 2) a proxy sends first on an upstream connection so the
 * endpoint learns the client's address and the address it connected to (Istio's DestinationRule
 * {@code proxyProtocol}, Envoy's upstream proxy protocol). Pure: addresses in, bytes out; v1 writes IPv6 addresses
 * compressed, as {@code inet_ntop} does. Addresses of two families,
 * or not IP at all, are sent as UNKNOWN (v1) or an unspecified family (v2), as the spec says.
 */
public final class ProxyProtocolHeader {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyProtocolHeader() {
    }

    /** The header for a client at {@code source} that connected to {@code destination}; {@code version} 1 or 2. */
    public static byte[] encode(int version, SocketAddress source, SocketAddress destination) {
        InetSocketAddress src = source instanceof InetSocketAddress s ? s : null;
        InetSocketAddress dst = destination instanceof InetSocketAddress d ? d : null;
        boolean v4 = src != null && dst != null && src.getAddress() instanceof Inet4Address
                && dst.getAddress() instanceof Inet4Address;
        boolean v6 = src != null && dst != null && src.getAddress() instanceof Inet6Address
                && dst.getAddress() instanceof Inet6Address;
        return version == 1 ? v1(src, dst, v4, v6) : v2(src, dst, v4, v6);
    }

    private static byte[] v1(InetSocketAddress src, InetSocketAddress dst, boolean v4, boolean v6) {
        String line = !v4 && !v6 ? "PROXY UNKNOWN\r\n"
                : "PROXY " + (v4 ? "TCP4 " : "TCP6 ") + NetUtil.toAddressString(src.getAddress()) + " "
                + NetUtil.toAddressString(dst.getAddress()) + " " + src.getPort() + " " + dst.getPort() + "\r\n";
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] v2(InetSocketAddress src, InetSocketAddress dst, boolean v4, boolean v6) {
        int addresses = v4 ? 12 : v6 ? 36 : 0;
        ByteBuffer out = ByteBuffer.allocate(16 + addresses);
        out.put(V2_SIGNATURE);
        out.put((byte) 0x21); // version 2, command PROXY
        out.put((byte) (v4 ? 0x11 : v6 ? 0x21 : 0x00)); // TCP over IPv4 / IPv6, or unspecified
        out.putShort((short) addresses);
        if (addresses > 0) {
            out.put(src.getAddress().getAddress());
            out.put(dst.getAddress().getAddress());
            out.putShort((short) src.getPort());
            out.putShort((short) dst.getPort());
        }
        return out.array();
    }
}
