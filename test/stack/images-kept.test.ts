/**
 * A rollback needs no pull (issue 25 item 4): the previous release's image must still be on
 * the Docker host. What the provider's source says, at the pinned versions
 * (test/docker/facts/docker-provider.json has the provenance):
 * - A Container never removes an image. kreuzwerker/terraform-provider-docker v4.5.0
 *   (5074970c71ce6cc393c74942d5d628943834beb9) internal/provider/resource_docker_container_funcs.go
 *   resourceDockerContainerDelete stops and removes the container only; no ImageRemove is
 *   called anywhere in that file.
 * - Only a `docker_image` resource (pulumi-docker's `RemoteImage`, provider/resources.go at
 *   237b7899bb513613a7645e74d6981c12d054dcc7) removes one: resource_docker_image_funcs.go
 *   resourceDockerImageDelete → removeImage, which returns early only when `keep_locally` is set
 *   (removeImage, line 190). So a RemoteImage without keepLocally deletes the old release's image
 *   when its name changes (name is ForceNew) or it is removed, and the rollback would have to
 *   pull it again. (pulumi-docker's native build `Image` deletes nothing: provider/provider.go,
 *   dockerNativeProvider.Delete returns at once.)
 * - A Container whose image is on the host is created without a pull: resourceDockerContainerCreate
 *   calls findImage (resource_docker_image_funcs.go), which inspects the local image first
 *   (searchLocalImages) and pulls only when it is missing.
 * Our stacks register no RemoteImage: containers name their image by reference. This test holds
 * that: a RemoteImage without keepLocally: true fails it.
 */
import { describe, expect, test } from "vitest";
import { byType, reveal, runStack } from "../helpers/program";

const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const CONTAINER = "docker:index/container:Container";

describe.each(["dev", "prod"])("%s keeps every image it ran on the host", (stack) => {
  test("no RemoteImage that deletes its image, and every container names its image by reference", async () => {
    const run = await runStack(stack);
    const deleting = byType(run, REMOTE_IMAGE)
      .filter((r) => reveal(r.properties.keepLocally) !== true)
      .map((r) => r.name);
    expect(deleting, "a RemoteImage without keepLocally: true removes the image on delete").toEqual(
      [],
    );
    const containers = byType(run, CONTAINER);
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      expect(String(reveal(c.properties.image)), c.name).toMatch(
        /^[a-z0-9./_-]+(:[\w.-]+)?(@sha256:[a-f0-9]{64})?$/,
      );
    }
  });
});
