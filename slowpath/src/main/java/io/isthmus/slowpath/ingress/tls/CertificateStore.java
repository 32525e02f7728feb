package io.isthmus.slowpath.ingress.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.isthmus.slowpath.ingress.controller.TlsBinding;
import io.isthmus.slowpath.ingress.match.HostNames;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.Mapping;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The certificates of the served Ingresses' {@code spec.tls}, chosen by SNI: an exact host, else a
 * wildcard host ({@code *.foo.com}, one label), else the default certificate (the first
 * {@code spec.tls} entry without hosts, else the first certificate loaded). With no certificate at
 * all the TLS handshake is refused.
 *
 * <p>Certificates come from {@code kubernetes.io/tls} Secrets ({@code tls.crt}, {@code tls.key} in
 * {@code data}, or in {@code stringData} in a YAML directory). Every context offers ALPN
 * {@code h2} then {@code http/1.1}, with the JDK's TLS.
 *
 * <p><b>Thread-safety:</b> immutable; built by the compile thread, read by event loops during
 * handshakes. Contexts of unchanged Secrets are reused from the previous store.
 */
public final class CertificateStore implements Mapping<String, SslContext> {
    static final String TLS_TYPE = "kubernetes.io/tls";
    private static final CertificateStore EMPTY = new CertificateStore(Map.of(), Map.of(), null, Map.of());
    private static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    private final Map<String, SslContext> exact;
    private final Map<String, SslContext> wildcard;
    private final SslContext fallback;
    private final Map<String, SslContext> byPem;

    private CertificateStore(Map<String, SslContext> exact, Map<String, SslContext> wildcard, SslContext fallback,
                             Map<String, SslContext> byPem) {
        this.exact = exact;
        this.wildcard = wildcard;
        this.fallback = fallback;
        this.byPem = byPem;
    }

    public static CertificateStore empty() {
        return EMPTY;
    }

    /** Builds the store for {@code bindings} from {@code secrets}; every binding that cannot be served is reported to {@code log}. */
    public static CertificateStore build(List<TlsBinding> bindings, List<Secret> secrets, Consumer<String> log) {
        return build(bindings, secrets, EMPTY, log);
    }

    /** As {@link #build(List, List, Consumer)}, reusing the contexts of {@code previous} whose PEM did not change. */
    public static CertificateStore build(List<TlsBinding> bindings, List<Secret> secrets, CertificateStore previous, Consumer<String> log) {
        final Map<String, Secret> byName = new HashMap<>();
        for (Secret secret : secrets) {
            byName.put(secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName(), secret);
        }
        final Map<String, SslContext> exact = new HashMap<>();
        final Map<String, SslContext> wildcard = new HashMap<>();
        final Map<String, SslContext> byPem = new HashMap<>();
        SslContext fallback = null;
        SslContext first = null;
        for (TlsBinding binding : bindings) {
            final String secretId = binding.namespace() + "/" + binding.secretName();
            final Secret secret = byName.get(secretId);
            if (secret == null) {
                log.accept("Ingress " + binding.ingress() + ": TLS Secret " + secretId + " not found; its hosts " + binding.hosts() + " get the default certificate");
                continue;
            }
            final SslContext context;
            try {
                final String pem = pem(secret, "tls.crt") + "\u0000" + pem(secret, "tls.key");
                context = byPem.computeIfAbsent(pem, p -> previous.byPem.containsKey(p) ? previous.byPem.get(p) : newContext(secret));
            } catch (IllegalArgumentException e) {
                log.accept("Ingress " + binding.ingress() + ": TLS Secret " + secretId + ": " + e.getMessage() + "; ignored");
                continue;
            }
            first = first == null ? context : first;
            if (binding.hosts().isEmpty() && fallback == null) {
                fallback = context;
            }
            for (String host : binding.hosts()) {
                if (host.startsWith("*.")) {
                    wildcard.putIfAbsent(HostNames.normalize(host.substring(2)), context);
                } else {
                    exact.putIfAbsent(HostNames.normalize(host), context);
                }
            }
        }
        return new CertificateStore(Map.copyOf(exact), Map.copyOf(wildcard), fallback != null ? fallback : first, Map.copyOf(byPem));
    }

    /** The context for an SNI host name (null: the client sent none), or null when there is no certificate at all. */
    @Override
    public SslContext map(String sniHost) {
        if (sniHost != null) {
            final String host = HostNames.normalize(sniHost);
            final SslContext found = exact.get(host);
            if (found != null) {
                return found;
            }
            final int dot = host.indexOf('.');
            if (dot > 0) {
                final SslContext byWildcard = wildcard.get(host.substring(dot + 1));
                if (byWildcard != null) {
                    return byWildcard;
                }
            }
        }
        return fallback;
    }

    /** Whether any certificate is loaded. */
    public boolean isEmpty() {
        return fallback == null;
    }

    /** The host names with a certificate, wildcards as {@code *.foo.com}: for logs and tests. */
    public List<String> hosts() {
        final TreeSet<String> hosts = new TreeSet<>(exact.keySet());
        wildcard.keySet().forEach(h -> hosts.add("*." + h));
        return List.copyOf(hosts);
    }

    private static String pem(Secret secret, String key) {
        if (secret.getType() != null && !TLS_TYPE.equals(secret.getType())) {
            throw new IllegalArgumentException("type is " + secret.getType() + ", not " + TLS_TYPE);
        }
        if (secret.getData() != null && secret.getData().get(key) != null) {
            try {
                return new String(Base64.getMimeDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data." + key + " is not base64");
            }
        }
        if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
            return secret.getStringData().get(key);
        }
        throw new IllegalArgumentException("has no " + key);
    }

    private static SslContext newContext(Secret secret) {
        final String crt = pem(secret, "tls.crt");
        final String key = PrivateKeys.toPkcs8Pem(pem(secret, "tls.key"));
        try {
            return SslContextBuilder.forServer(new ByteArrayInputStream(crt.getBytes(StandardCharsets.US_ASCII)),
                            new ByteArrayInputStream(key.getBytes(StandardCharsets.US_ASCII)))
                    .sslProvider(SslProvider.JDK)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN)
                    .build();
        } catch (Exception e) { // Netty reports unreadable PEM as SSLException or IllegalArgumentException
            throw new IllegalArgumentException("cannot load tls.crt/tls.key: " + e.getMessage());
        }
    }
}
