package io.skiff.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.Sha256;

/** RELAY_STATUS's body, read (layout in {@link FrameDescriptor}); the longest body, so it has a class of its own. */
final class RelayStatusCodec {
    private RelayStatusCodec() {
    }

    static RelayStatusFrame decode(ByteBuf body) {
        int index = body.readUnsignedShort();
        int stateByte = body.readUnsignedByte();
        RelayStatusFrame.State state = RelayStatusFrame.State.fromWire(stateByte);
        long bytesWire = body.readLong();
        long bytesDelivered = body.readLong();
        long bytesWanted = body.readLong();
        long chunksSent = body.readUnsignedInt();
        long copied = body.readUnsignedInt();
        long refetched = body.readUnsignedInt();
        long manifestBytes = body.readUnsignedInt();
        long millis = body.readUnsignedInt();
        int attempts = body.readUnsignedByte();
        Sha256 base = FrameDecoder.readId(body);
        int encodings = body.readUnsignedByte();
        if (state == null || bytesWire < 0 || bytesDelivered < 0 || bytesWanted < 0 || chunksSent > ProtocolLimits.MAX_CHUNKS || copied > ProtocolLimits.MAX_CHUNKS
                || refetched > ProtocolLimits.MAX_CHUNKS || encodings != ChunkEncoding.values().length) {
            throw new ProtocolException(ErrorCode.MALFORMED, "RELAY_STATUS state=" + stateByte + " bytes=" + bytesWire
                    + " chunks=" + Integer.toUnsignedString((int) chunksSent) + " encodings=" + encodings);
        }
        long[] chunks = new long[encodings];
        long[] bytes = new long[encodings];
        for (int e = 0; e < encodings; e++) {
            chunks[e] = body.readUnsignedInt();
            bytes[e] = body.readLong();
        }
        int codeWire = body.readUnsignedShort();
        String message = FrameDecoder.readString(body);
        if ((state == RelayStatusFrame.State.FAILED) != (codeWire != 0)) {
            throw new ProtocolException(ErrorCode.MALFORMED, "RELAY_STATUS state=" + state + " with error code=" + codeWire);
        }
        AuditHeadFrame head = null;
        if (body.isReadable()) { // protocol 4: an outcome's audit head
            int present = body.readUnsignedByte();
            Sha256 trail = FrameDecoder.readId(body);
            long seq = body.readLong();
            if (present != 1 || seq < 1 || state == RelayStatusFrame.State.SENDING) {
                throw new ProtocolException(ErrorCode.MALFORMED, "RELAY_STATUS audit head flag=" + present + " record=" + seq + " state=" + state);
            }
            head = new AuditHeadFrame(trail, seq, FrameDecoder.readId(body));
        }
        return new RelayStatusFrame(index, state, bytesWire, bytesDelivered, bytesWanted, (int) chunksSent, (int) copied, (int) refetched, manifestBytes, millis,
                attempts, base.equals(FrameDecoder.NO_BASE) ? null : base, chunks, bytes, codeWire == 0 ? null : ErrorCode.fromWire(codeWire), message,
                head);
    }

}
