// cniruntime: a minimal container runtime's network side, on libcni, for the integration tests.
//
//	cniruntime add|check|del <conflist> <container ID> <netns path> <ifname>
//
// Plugins are looked up in CNI_PATH; results are cached in CNI_CACHE_DIR, where libcni keeps
// what CHECK and DEL are given as prevResult. ADD prints its result on stdout.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/containernetworking/cni/libcni"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: cniruntime add|check|del <conflist> <container ID> <netns path> <ifname>")
		os.Exit(2)
	}
	verb, file, id, netns, ifname := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	list, err := libcni.ConfListFromFile(file)
	if err != nil {
		fail(err)
	}
	cache := os.Getenv("CNI_CACHE_DIR")
	if cache == "" {
		cache = filepath.Join(os.TempDir(), "cniruntime-cache")
	}
	cni := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(os.Getenv("CNI_PATH")), cache, nil)
	rt := &libcni.RuntimeConf{ContainerID: id, NetNS: netns, IfName: ifname,
		Args: [][2]string{{"IgnoreUnknown", "1"}, {"K8S_POD_NAME", "cniruntime"}}}
	ctx := context.Background()
	switch verb {
	case "add":
		result, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			fail(err)
		}
		if err := result.Print(); err != nil {
			fail(err)
		}
	case "check":
		if err := cni.CheckNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
	case "del":
		if err := cni.DelNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
	default:
		fmt.Fprintln(os.Stderr, "cniruntime: unknown verb", verb)
		os.Exit(2)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cniruntime:", err)
	os.Exit(1)
}
