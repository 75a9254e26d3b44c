// Readiness probe for scripts/neo4j.sh: logs in over Bolt with the test credentials and runs
// `RETURN 1` on database `neo4j`, i.e. exactly what a client of the CMDB will do first.
//
// It is run as a single-source program (`java -cp CLASSPATH BoltCheck.java URI USER PASSWORD`),
// so there is no build step; the Neo4j Java driver it uses is already on the server's runtime
// classpath (org.neo4j:neo4j depends on it), so it costs no extra download.
//
// Exit codes: 0 ready; 2 the server answered but rejected the credentials (retrying will not
// help); 3 a class is missing (the script runs this on a trimmed classpath and then retries
// with the full one); 1 anything else (not listening yet, database still starting, ...).

import java.util.concurrent.TimeUnit;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.exceptions.AuthenticationException;

public class BoltCheck {
    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: BoltCheck URI USER PASSWORD");
            System.exit(64);
        }
        int rc;
        try {
            // The driver is only touched inside Probe, so a missing jar surfaces here as a
            // LinkageError instead of failing BoltCheck's own class verification.
            rc = Probe.run(args[0], args[1], args[2]);
        } catch (LinkageError e) {
            System.err.println("BoltCheck: incomplete classpath: " + e);
            rc = 3;
        }
        System.exit(rc);
    }

    static final class Probe {
        static int run(String uri, String user, String password) {
            Config config = Config.builder()
                    .withLogging(Logging.none())
                    .withConnectionTimeout(5, TimeUnit.SECONDS)
                    .withMaxTransactionRetryTime(0, TimeUnit.SECONDS)
                    .build();
            try (Driver driver = GraphDatabase.driver(uri, AuthTokens.basic(user, password), config);
                    Session session = driver.session(SessionConfig.forDatabase("neo4j"))) {
                long one = session.run("RETURN 1 AS one").single().get("one").asLong();
                if (one != 1) {
                    System.err.println("BoltCheck: unexpected result " + one);
                    return 1;
                }
                System.out.println("BoltCheck: ok");
                return 0;
            } catch (AuthenticationException e) {
                System.err.println("BoltCheck: credentials rejected: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                System.err.println("BoltCheck: not ready: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                return 1;
            }
        }
    }
}
