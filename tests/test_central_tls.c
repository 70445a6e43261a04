/* TLS served directly by tilstede-central (MHD + GnuTLS) with a test CA
 * made here by the openssl command: a client trusting that CA talks to it,
 * a client trusting another CA refuses it. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "central_fixture.h"

struct tls_state {
    char dir[256];
    char cert[320], key[320], ca[320], other_ca[320];
    struct fixture *fixture;
};

static int run(const char *command)
{
    int rc = system(command);
    if (rc != 0)
        fprintf(stderr, "failed (%d): %s\n", rc, command);
    return rc;
}

static int setup(void **state)
{
    struct tls_state *s = calloc(1, sizeof *s);
    const char *tmp = getenv("TILSTEDE_TEST_TMP");
    snprintf(s->dir, sizeof s->dir, "%s/tls-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(s->dir))
        return -1;
    snprintf(s->cert, sizeof s->cert, "%s/server.pem", s->dir);
    snprintf(s->key, sizeof s->key, "%s/server.key", s->dir);
    snprintf(s->ca, sizeof s->ca, "%s/ca.pem", s->dir);
    snprintf(s->other_ca, sizeof s->other_ca, "%s/other-ca.pem", s->dir);
    char command[2048];
    /* Two CAs; a server certificate for 127.0.0.1 signed by the first. */
    snprintf(command, sizeof command,
             "cd '%s' && "
             "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n"
             "extendedKeyUsage=serverAuth\\n' > server.ext && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout ca.key -out ca.pem -days 2 -subj '/CN=Tilstede test CA' 2>/dev/null && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout other-ca.key -out other-ca.pem -days 2 -subj '/CN=Another CA' 2>/dev/null && "
             "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null && "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
             "-out server.pem -days 2 -extfile server.ext 2>/dev/null",
             s->dir);
    if (run(command))
        return -1;
    struct central_http_config config = {.tls_cert = s->cert, .tls_key = s->key};
    s->fixture = fixture_start(&config);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    struct tls_state *s = *state;
    fixture_stop(s->fixture);
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", s->dir);
    run(command);
    free(s);
    return 0;
}

static CURLcode get_health(const struct tls_state *s, const char *ca, long *status)
{
    CURL *curl = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "%s/v1/health", s->fixture->base);
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    CURLcode rc = curl_easy_perform(curl);
    *status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    fclose(sink);
    curl_easy_cleanup(curl);
    return rc;
}

static void test_client_trusting_the_test_ca_connects_over_tls(void **state)
{
    struct tls_state *s = *state;
    assert_int_equal(strncmp(s->fixture->base, "https://", 8), 0);
    long status;
    assert_int_equal(get_health(s, s->ca, &status), CURLE_OK);
    assert_int_equal(status, 200);
}

static void test_client_trusting_another_ca_refuses_the_server(void **state)
{
    struct tls_state *s = *state;
    long status;
    assert_int_equal(get_health(s, s->other_ca, &status), CURLE_PEER_FAILED_VERIFICATION);
    assert_int_equal(status, 0);
}

static void test_plain_http_to_the_tls_port_gets_no_answer(void **state)
{
    struct tls_state *s = *state;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1%s/v1/health", strrchr(s->fixture->base, ':'));
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    assert_int_not_equal(status, 200);
    (void)rc;
    fclose(sink);
    curl_easy_cleanup(curl);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_trusting_the_test_ca_connects_over_tls),
        cmocka_unit_test(test_client_trusting_another_ca_refuses_the_server),
        cmocka_unit_test(test_plain_http_to_the_tls_port_gets_no_answer),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return failed;
}
