package io.skiff.engine.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.skiff.engine.security.PeerIdentity;
import io.skiff.protocol.AccessException;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.frame.ErrorFrame;
import io.skiff.protocol.frame.FrameEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Mutual TLS at the head of a pipeline. A client gets {@code SslHandler}, then {@link FileRegionReader}
 * (under TLS, zero-copy regions become buffers), then a handler that turns TLS failures into one
 * {@link AccessException} ({@link ErrorCode#TLS_FAILED}) with a reason an operator can act on. A
 * server first looks at the connection's first bytes: a plaintext peer gets one plaintext ERROR
 * tls_failed frame (so the sender can say why) and the connection closes; a TLS one gets the handler,
 * and a handshake that fails (no certificate, another CA, expired) is logged in one line and closes
 * that connection only. Nothing after these handlers runs before the handshake succeeded.
 */
public final class TlsPipelines {
    private static final Logger LOG = LoggerFactory.getLogger(TlsPipelines.class);
    static final String TLS = "tls";

    private TlsPipelines() {
    }

    /** Adds the client's TLS handlers first in {@code pipeline}; {@code peer} names the other side in messages ("receiver", "origin"). */
    public static void addClient(ChannelPipeline pipeline, SslContext context, String host, int port, String peer) {
        pipeline.addFirst("tlsFailures", new ClientFailures(peer));
        pipeline.addFirst("fileRegions", FileRegionReader.INSTANCE);
        pipeline.addFirst(TLS, context.newHandler(pipeline.channel().alloc(), host, port));
    }

    /** Adds the server's TLS detection first in {@code pipeline}; {@code role} names this side in messages ("receiver", "origin"). */
    public static void addServer(ChannelPipeline pipeline, SslContext context, String role) {
        addServer(pipeline, context, role, (address, reason) -> { });
    }

    /** The same, telling {@code refused} of each connection refused (plaintext, or a failed handshake): an audit trail's. */
    public static void addServer(ChannelPipeline pipeline, SslContext context, String role, ConnectionRefusals refused) {
        pipeline.addFirst("tlsDetect", new Detect(context, role, refused));
    }

    /** The identity the peer's certificate names; null on a plaintext connection (or before the handshake). */
    public static String peerIdentity(ChannelPipeline pipeline) {
        SslHandler tls = pipeline.get(SslHandler.class);
        return tls == null ? null : PeerIdentity.of(tls.engine().getSession());
    }

    /** Plaintext or TLS: decided on the first 5 bytes (a TLS record header), then this handler leaves. */
    private static final class Detect extends ByteToMessageDecoder {
        private final SslContext context;
        private final String role;
        private final ConnectionRefusals refused;

        Detect(SslContext context, String role, ConnectionRefusals refused) {
            this.context = context;
            this.role = role;
            this.refused = refused;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (in.readableBytes() < 5) {
                return;
            }
            if (SslHandler.isEncrypted(in, false)) {
                ChannelPipeline p = ctx.pipeline();
                p.addAfter(ctx.name(), TLS, context.newHandler(ctx.alloc()));
                p.addAfter(TLS, "tlsRefusals", new ServerFailures(refused));
                p.addAfter("tlsRefusals", "fileRegions", FileRegionReader.INSTANCE);
                p.remove(this); // the bytes read so far go on to the TLS handler
                return;
            }
            in.skipBytes(in.readableBytes());
            LOG.warn("refused a plaintext connection from {}: this {} requires TLS", ctx.channel().remoteAddress(), role);
            refused.refused(ctx.channel().remoteAddress(), "tls_failed: plaintext to a TLS " + role);
            ErrorFrame refusal = new ErrorFrame(ErrorCode.TLS_FAILED, "this " + role + " requires mutual TLS: connect with"
                    + " --tls-dir (or --tls-ca, --tls-cert, --tls-key)");
            ctx.writeAndFlush(FrameEncoder.encode(ctx.alloc(), refusal)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** On a server: logs a failed handshake in one line; the TLS handler closes the connection. */
    private static final class ServerFailures extends ChannelInboundHandlerAdapter {
        private final ConnectionRefusals refused;

        ServerFailures(ConnectionRefusals refused) {
            this.refused = refused;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    LOG.debug("TLS from {}: identity {}", ctx.channel().remoteAddress(), peerIdentity(ctx.pipeline()));
                } else {
                    String reason = serverReason(done.cause());
                    LOG.warn("refused TLS from {}: {}", ctx.channel().remoteAddress(), reason);
                    refused.refused(ctx.channel().remoteAddress(), "tls_failed: " + reason);
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (sslCause(cause) != null) {
                ctx.close(); // already logged as the handshake's failure
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }

    /** On a client: the first TLS failure becomes an {@link AccessException} for the session after it. */
    private static final class ClientFailures extends ChannelInboundHandlerAdapter {
        private final String peer;
        private boolean reported;

        ClientFailures(String peer) {
            this.peer = peer;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
                report(ctx, done.cause());
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (sslCause(cause) != null) {
                report(ctx, cause);
                return;
            }
            ctx.fireExceptionCaught(cause);
        }

        private void report(ChannelHandlerContext ctx, Throwable cause) {
            if (!reported) {
                reported = true;
                ctx.fireExceptionCaught(new AccessException(ErrorCode.TLS_FAILED, clientReason(cause, peer), cause));
            }
            ctx.close();
        }
    }

    private static SSLException sslCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SSLException ssl) {
                return ssl;
            }
        }
        return null;
    }

    /** Why a client's TLS failed, as the sender prints it. */
    static String clientReason(Throwable cause, String peer) {
        SSLException ssl = sslCause(cause);
        if (ssl instanceof NotSslRecordException) {
            return "the " + peer + " does not speak TLS (started with --insecure?)";
        }
        String distrusted = certificateProblem(cause, "the " + peer + "'s certificate", "our deployment's CA");
        if (distrusted != null) {
            return distrusted;
        }
        String reason = shortReason(cause);
        String lower = reason.toLowerCase(Locale.ROOT);
        boolean alert = lower.contains("alert") || lower.contains("certificate_required") || lower.contains("unknown_ca");
        if (alert && !(ssl instanceof SSLHandshakeException && lower.contains("pkix"))) {
            return "the " + peer + " refused our certificate (" + reason + "): it must be of the deployment's CA and valid";
        }
        return "the " + peer + "'s certificate is not trusted (" + reason + "): it must be of our CA and valid";
    }

    /** Why a server refused a handshake, as its log says it. */
    static String serverReason(Throwable cause) {
        String distrusted = certificateProblem(cause, "the peer's certificate", "this deployment's CA");
        if (distrusted != null) {
            return distrusted;
        }
        String reason = shortReason(cause);
        if (reason.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || reason.contains("certificate_required")
                || reason.contains("Empty client certificate chain")) {
            return "the peer presented no certificate (" + reason + ")";
        }
        if (reason.toUpperCase(Locale.ROOT).contains("ALERT")) {
            return "the peer broke off the handshake, most likely distrusting our certificate (" + reason + ")";
        }
        return reason;
    }

    /**
     * Why this side's trust manager refused {@code whose} certificate (expired, not yet valid, not of
     * {@code ca}), or null when the failure was something else.
     */
    private static String certificateProblem(Throwable cause, String whose, String ca) {
        for (Throwable c = cause; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.security.cert.CertificateExpiredException) {
                return whose + " expired (" + c.getMessage() + ")";
            }
            if (c instanceof java.security.cert.CertificateNotYetValidException) {
                return whose + " is not valid yet (" + c.getMessage() + ")";
            }
            if (c instanceof java.security.cert.CertPathValidatorException || c.getClass().getName().endsWith("SunCertPathBuilderException")) {
                return whose + " is not of " + ca + " (" + shortReason(c) + ")";
            }
        }
        return null;
    }

    /** The innermost message, one line, without Netty's wrapping. */
    static String shortReason(Throwable cause) {
        Throwable root = cause;
        while (root instanceof DecoderException && root.getCause() != null) {
            root = root.getCause();
        }
        while (root.getCause() != null && root.getCause() != root && root.getCause().getMessage() != null) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }
}
