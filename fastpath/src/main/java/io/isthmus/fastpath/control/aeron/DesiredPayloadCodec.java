package io.isthmus.fastpath.control.aeron;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.isthmus.fastpath.control.DesiredKind;
import io.isthmus.lb.model.TargetPort;

import java.io.IOException;
import java.net.InetAddress;

/**
 * The payload of an UPSERT: the desired record (a plain record of a table library) as JSON, with
 * Jackson. Records round-trip by their components; two types need help, given here and nowhere
 * in the table libraries:
 * <ul>
 *   <li>{@link InetAddress} is written as its literal address ({@code getHostAddress()}) and read
 *       back without a name lookup;</li>
 *   <li>{@link TargetPort} (sealed: a number or a name) carries a {@code "kind"} property.</li>
 * </ul>
 * Unknown properties fail decoding: both ends are built from the same sources.
 *
 * <p><b>Thread-safety:</b> immutable after construction; {@link ObjectMapper} is thread-safe.
 */
public final class DesiredPayloadCodec {
    private final ObjectMapper mapper;

    public DesiredPayloadCodec() {
        final SimpleModule addresses = new SimpleModule("isthmus-addresses")
                .addSerializer(InetAddress.class, new JsonSerializer<>() {
                    @Override
                    public void serialize(InetAddress value, JsonGenerator out, SerializerProvider provider) throws IOException {
                        out.writeString(value.getHostAddress());
                    }
                })
                .addDeserializer(InetAddress.class, new JsonDeserializer<>() {
                    @Override
                    public InetAddress deserialize(JsonParser in, DeserializationContext context) throws IOException {
                        final String literal = in.getValueAsString();
                        if (literal == null || literal.isEmpty() || !(Character.isDigit(literal.charAt(0)) || literal.indexOf(':') >= 0)) {
                            throw new IOException("not an IP address literal: '" + literal + "'");
                        }
                        return InetAddress.getByName(literal); // a literal: no lookup
                    }
                });
        this.mapper = JsonMapper.builder()
                .addModule(addresses)
                .addMixIn(TargetPort.class, TargetPortMixin.class)
                .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({@JsonSubTypes.Type(value = TargetPort.Number.class, name = "number"),
            @JsonSubTypes.Type(value = TargetPort.Named.class, name = "named")})
    private interface TargetPortMixin {
    }

    /** The payload of {@code kind} as JSON bytes; the error names the kind and the type. */
    public byte[] encode(DesiredKind kind, Object payload) {
        if (!kind.payloadType().isInstance(payload)) {
            throw new IllegalArgumentException(kind + ": payload is " + (payload == null ? "null" : payload.getClass().getName())
                    + ", want " + kind.payloadType().getName());
        }
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException(kind + ": cannot encode " + payload.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** The record {@code bytes} encode, of {@code kind.payloadType()}; the error names the kind. */
    public Object decode(DesiredKind kind, byte[] bytes) {
        try {
            return mapper.readValue(bytes, kind.payloadType());
        } catch (IOException e) {
            throw new IllegalArgumentException(kind + ": cannot decode the payload: " + e.getMessage(), e);
        }
    }
}
