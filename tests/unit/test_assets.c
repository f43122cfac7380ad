/*
 * Unit tests: the files a node fetches (render_node_assets), the one URL
 * builder (render_asset_url), the inventory's list of them (assets.c),
 * and the check of compile --image-base-url.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../inventory/assets.h"
#include "../../inventory/check.h"
#include "../../inventory/render.h"

#define S1 "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"
#define S2 "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515"
#define FACTORY "https://pxe.factory.talos.dev/image"

/**
 * Make a node to install.
 *
 * @v name      Hostname
 * @v schematic Schematic ID
 * @v version   Talos version
 * @v arch      "amd64" or "arm64"
 * @v uki       Boots a UKI
 * @ret n       Node
 */
static struct node make_node(const char *name, const char *schematic,
			     const char *version, const char *arch, int uki)
{
	struct node n;

	memset(&n, 0, sizeof(n));
	n.hostname = name;
	n.install = PXEINV_INSTALL_YES;
	n.schematic = schematic;
	n.version = version;
	n.arch = arch;
	n.uki = uki;
	return n;
}

/**
 * Render one URL into a string.
 *
 * @v base      Base, or NULL
 * @v n         Node
 * @v a         File
 * @v buf       Buffer
 * @v size      Its size
 */
static void url_of(const char *base, const struct node *n,
		   enum render_asset a, char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");

	assert_non_null(f);
	render_asset_url(f, base, n, a);
	assert_int_equal(fclose(f), 0);
}

static void test_node_assets(void **state)
{
	enum render_asset a[RENDER_ASSETS_MAX];
	struct node n = make_node("n", S1, "v1.9.5", "amd64", 0);

	(void)state;
	assert_int_equal(render_node_assets(&n, a), 2);
	assert_int_equal(a[0], RENDER_ASSET_KERNEL);
	assert_int_equal(a[1], RENDER_ASSET_INITRD);
	n.install = PXEINV_INSTALL_ONCE;
	assert_int_equal(render_node_assets(&n, a), 2);
	n.uki = 1;
	assert_int_equal(render_node_assets(&n, a), 1);
	assert_int_equal(a[0], RENDER_ASSET_UKI);
	n.install = PXEINV_INSTALL_NO;
	assert_int_equal(render_node_assets(&n, a), 0);
}

static void test_asset_url(void **state)
{
	struct node amd = make_node("a", S1, "v1.9.5", "amd64", 0);
	struct node arm = make_node("b", S2, "v1.10.0-beta.1", "arm64", 1);
	char buf[512];

	(void)state;
	url_of(NULL, &amd, RENDER_ASSET_KERNEL, buf, sizeof(buf));
	assert_string_equal(buf, S1 "/v1.9.5/kernel-amd64");
	url_of("http://m/x", &amd, RENDER_ASSET_INITRD, buf, sizeof(buf));
	assert_string_equal(buf, "http://m/x/" S1 "/v1.9.5/initramfs-amd64.xz");
	url_of(NULL, &arm, RENDER_ASSET_UKI, buf, sizeof(buf));
	assert_string_equal(buf, S2 "/v1.10.0-beta.1/metal-arm64-uki.efi");
	url_of(NULL, &arm, RENDER_ASSET_KERNEL, buf, sizeof(buf));
	assert_string_equal(buf, S2 "/v1.10.0-beta.1/kernel-arm64");
	assert_string_equal(render_image_base(&amd), FACTORY);
	amd.image_base = "http://m/x";
	assert_string_equal(render_image_base(&amd), "http://m/x");
}

static void test_boot_lines_use_asset_urls(void **state)
{
	struct node n = make_node("n", S1, "v1.9.5", "arm64", 0);
	char buf[2048];
	FILE *f;

	(void)state;
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	render_boot_lines(f, &n);
	assert_int_equal(fclose(f), 0);
	/* no address, no arguments: ip=dhcp alone */
	assert_string_equal(buf, "imgfree\nkernel " FACTORY "/" S1
			    "/v1.9.5/kernel-arm64 ip=dhcp\ninitrd " FACTORY "/"
			    S1 "/v1.9.5/initramfs-arm64.xz\nboot\n");
	n.uki = 1;
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	render_boot_lines(f, &n);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "imgfree\nkernel " FACTORY "/" S1
			    "/v1.9.5/metal-arm64-uki.efi ip=dhcp\nboot\n");
}

static void test_collect(void **state)
{
	struct node nodes[5];
	struct asset_list list = { 0 };

	(void)state;
	nodes[0] = make_node("n1", S1, "v1.9.5", "amd64", 0);
	nodes[1] = make_node("n2", S1, "v1.9.5", "amd64", 0);
	nodes[2] = make_node("uki", S2, "v1.10.0", "arm64", 1);
	nodes[3] = make_node("off", S2, "v1.8.0", "amd64", 0);
	nodes[3].install = PXEINV_INSTALL_NO;
	nodes[4] = make_node("other", S1, "v1.9.5", "amd64", 0);
	nodes[4].image_base = "http://m/x";
	assets_collect(&list, nodes, 5);
	/* n1 and n2 share two files; uki has one; off none; other two */
	assert_int_equal(list.n, 5);
	assert_string_equal(list.v[0].url, FACTORY "/" S1 "/v1.9.5/kernel-amd64");
	assert_string_equal(list.v[0].path, S1 "/v1.9.5/kernel-amd64");
	assert_int_equal(list.v[0].nnodes, 2);
	assert_ptr_equal(list.v[0].nodes[0], &nodes[0]);
	assert_ptr_equal(list.v[0].nodes[1], &nodes[1]);
	assert_string_equal(list.v[1].path, S1 "/v1.9.5/initramfs-amd64.xz");
	assert_int_equal(list.v[1].nnodes, 2);
	assert_string_equal(list.v[2].path, S2 "/v1.10.0/metal-arm64-uki.efi");
	assert_int_equal(list.v[2].nnodes, 1);
	assert_string_equal(list.v[3].url, "http://m/x/" S1 "/v1.9.5/kernel-amd64");
	assert_string_equal(list.v[3].path, list.v[0].path);
	assets_free(&list);
	assert_int_equal(list.n, 0);
}

static void test_collect_many_nodes(void **state)
{
	struct node nodes[37];
	struct asset_list list = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < 37; i++)
		nodes[i] = make_node("n", S1, "v1.9.5", "amd64", 0);
	assets_collect(&list, nodes, 37);
	assert_int_equal(list.n, 2);
	assert_int_equal(list.v[0].nnodes, 37);
	assert_ptr_equal(list.v[1].nodes[36], &nodes[36]);
	assets_free(&list);
}

static void test_image_base_is_valid(void **state)
{
	static const char *const good[] = {
		"http://10.0.0.1/m", "https://mirror.example:8443/talos/",
		"http://m", "http://m/a_b~c%20d?x=1&y=2", NULL,
	};
	static const char *const bad[] = {
		"", "ftp://m/x", "http://", "http:///m", "https://-m/x",
		"http://m/a b", "http://m/$x", "http://m/{x}", "http://m/\"x",
		"http://m/'x", "http://m/x\n", "http://m/\\x", "http://m/é",
		"HTTP://m/x", "mirror", NULL,
	};
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		assert_int_equal(check_image_base_is_valid(good[i]), 1);
	for (i = 0; bad[i]; i++) {
		if (check_image_base_is_valid(bad[i]))
			fail_msg("accepted: '%s'", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_assets),
		cmocka_unit_test(test_asset_url),
		cmocka_unit_test(test_boot_lines_use_asset_urls),
		cmocka_unit_test(test_collect),
		cmocka_unit_test(test_collect_many_nodes),
		cmocka_unit_test(test_image_base_is_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
