package io.isthmus.slowpath.ingress.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Private keys as Kubernetes TLS Secrets hold them, made readable by Netty without BouncyCastle:
 * PKCS#8 ({@code BEGIN PRIVATE KEY}) passes through; PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY},
 * what cert-manager and older openssl write) is wrapped into PKCS#8. Other forms (SEC1
 * {@code EC PRIVATE KEY}, encrypted keys) are refused with a message.
 */
final class PrivateKeys {
    private static final String PKCS1_BEGIN = "-----BEGIN RSA PRIVATE KEY-----";
    private static final String PKCS1_END = "-----END RSA PRIVATE KEY-----";
    /** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }, DER. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PrivateKeys() {
    }

    /** {@code pem} as PKCS#8 PEM. Throws IllegalArgumentException with the reason when the form is not supported. */
    static String toPkcs8Pem(String pem) {
        if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
            return pem;
        }
        final int begin = pem.indexOf(PKCS1_BEGIN);
        final int end = pem.indexOf(PKCS1_END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("tls.key is neither PKCS#8 (BEGIN PRIVATE KEY) nor PKCS#1 RSA (BEGIN RSA PRIVATE KEY)");
        }
        final String body = pem.substring(begin + PKCS1_BEGIN.length(), end);
        if (body.contains("Proc-Type")) {
            throw new IllegalArgumentException("tls.key is encrypted; Kubernetes TLS Secrets hold unencrypted keys");
        }
        final byte[] pkcs1 = Base64.getMimeDecoder().decode(body.strip());
        final ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.writeBytes(new byte[]{0x02, 0x01, 0x00}); // version 0
        info.writeBytes(RSA_ALGORITHM);
        info.write(0x04); // OCTET STRING holding the PKCS#1 RSAPrivateKey
        writeLength(info, pkcs1.length);
        info.writeBytes(pkcs1);
        final ByteArrayOutputStream sequence = new ByteArrayOutputStream();
        sequence.write(0x30);
        writeLength(sequence, info.size());
        sequence.writeBytes(info.toByteArray());
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(sequence.toByteArray())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write((length >> 8) & 0xff);
            out.write(length & 0xff);
        }
    }
}
