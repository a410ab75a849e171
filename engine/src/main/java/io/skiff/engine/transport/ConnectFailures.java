package io.skiff.engine.transport;

import io.netty.channel.ConnectTimeoutException;

import java.net.ConnectException;
import java.net.UnknownHostException;

/** Why a connect failed, in words for an operator. */
public final class ConnectFailures {
    private ConnectFailures() {
    }

    /** One short reason, without the transport's internals (epoll error numbers, addresses). */
    public static String reason(Throwable cause) {
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        if (cause instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        if (message.contains("Connection refused")) {
            return "connection refused";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host";
        }
        return cause instanceof ConnectException ? message : cause.toString();
    }
}
