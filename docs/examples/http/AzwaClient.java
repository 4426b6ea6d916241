// Calling azwa serve from Java with java.net.http only (JDK 11+), no other library.
// Run: AZWA_URL=http://127.0.0.1:8080 AZWA_MAKER_TOKEN=... AZWA_INSURER_TOKEN=... java AzwaClient.java PLAN-ID
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

public class AzwaClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    AzwaClient(String base) {
        this.base = base;
    }

    /** POST a JSON body as the token's actor; the Idempotency-Key makes a retry apply once. */
    HttpResponse<String> post(String path, String token, String json, String idempotencyKey) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public static void main(String[] args) throws Exception {
        String planId = args.length > 0 ? args[0] : "JAVA-001";
        AzwaClient azwa = new AzwaClient(System.getenv().getOrDefault("AZWA_URL", "http://127.0.0.1:8080"));
        String maker = System.getenv("AZWA_MAKER_TOKEN");
        String insurer = System.getenv("AZWA_INSURER_TOKEN");

        String registration = """
            {"plan_id": "%s", "attrs": {
              "title": "Wijkverpleging op afstand", "region": "Twente", "track": "transformation",
              "social_domain": false, "domain_transcending": false,
              "parties": [{"org": "Huisartsen Twente", "role": "plan_maker"}],
              "coordinating_insurer": "Menzis", "second_insurer": "Zilveren Kruis"}}
            """.formatted(planId);
        HttpResponse<String> registered = azwa.post("/plans", maker, registration, UUID.randomUUID().toString());
        System.out.println("register: " + registered.statusCode() + " ETag " + registered.headers().firstValue("ETag").orElse("-"));

        // A refusal is application/problem+json naming each failing rule and its seed paragraph.
        HttpResponse<String> refused = azwa.post("/plans/" + planId + "/commands", maker,
                "{\"trigger\": \"approve_quick_test\"}", UUID.randomUUID().toString());
        System.out.println("refused: " + refused.statusCode() + " "
                + refused.headers().firstValue("Content-Type").orElse("") + " " + refused.body());

        String key = UUID.randomUUID().toString();
        String command = "{\"trigger\": \"agree_character\", \"payload\": {\"character\": \"scaling\"}}";
        HttpResponse<String> first = azwa.post("/plans/" + planId + "/commands", insurer, command, key);
        HttpResponse<String> retry = azwa.post("/plans/" + planId + "/commands", insurer, command, key);
        System.out.println("fire: " + first.statusCode() + ", retried: " + retry.statusCode()
                + " replayed=" + retry.headers().firstValue("Idempotent-Replayed").orElse("false")
                + " same answer=" + first.body().equals(retry.body()));

        HttpResponse<String> plan = azwa.get("/plans/" + planId, insurer);
        System.out.println("plan: " + plan.statusCode() + " ETag " + plan.headers().firstValue("ETag").orElse("-"));
        if (registered.statusCode() != 201 || refused.statusCode() != 403 || first.statusCode() != 200
                || !first.body().equals(retry.body()) || !"\"2\"".equals(plan.headers().firstValue("ETag").orElse(""))) {
            System.exit(1);
        }
    }
}
