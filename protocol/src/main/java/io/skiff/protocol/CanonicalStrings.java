package io.skiff.protocol;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The {@code str16} of the canonical encodings (manifest, release statement): u16 byte length, then UTF-8. */
final class CanonicalStrings {
    private CanonicalStrings() {
    }

    static void write(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    /** Reads one string of at most {@code maxBytes}; too long or not UTF-8 is a {@code code} error, too short an underflow. */
    static String read(ByteBuffer in, int maxBytes, ErrorCode code) {
        int length = in.getShort() & 0xffff;
        if (length > maxBytes) {
            throw new ProtocolException(code, "string of " + length + " bytes exceeds " + maxBytes);
        }
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        ByteBuffer slice = in.slice().limit(length);
        in.position(in.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(code, "string is not valid UTF-8");
        }
    }
}
