package io.skiff.protocol.frame;

public record HelloFrame(int protocolVersion, String peerName) implements Frame {
    @Override
    public FrameType type() {
        return FrameType.HELLO;
    }
}
