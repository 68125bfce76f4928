package image

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// elfArch is what the ELF header of a Go binary for each GOARCH says. The
// binary is checked against the platform because a wrong one builds a
// perfectly valid image that fails only on the nodes, with "exec format
// error" in a crash-looping pod.
type elfArch struct {
	machine elf.Machine
	class   elf.Class
	order   binary.ByteOrder
}

var (
	le = binary.LittleEndian
	be = binary.BigEndian
)

var elfArches = map[string]elfArch{
	"386":      {elf.EM_386, elf.ELFCLASS32, le},
	"amd64":    {elf.EM_X86_64, elf.ELFCLASS64, le},
	"arm":      {elf.EM_ARM, elf.ELFCLASS32, le},
	"arm64":    {elf.EM_AARCH64, elf.ELFCLASS64, le},
	"loong64":  {elf.EM_LOONGARCH, elf.ELFCLASS64, le},
	"mips":     {elf.EM_MIPS, elf.ELFCLASS32, be},
	"mipsle":   {elf.EM_MIPS, elf.ELFCLASS32, le},
	"mips64":   {elf.EM_MIPS, elf.ELFCLASS64, be},
	"mips64le": {elf.EM_MIPS, elf.ELFCLASS64, le},
	"ppc64":    {elf.EM_PPC64, elf.ELFCLASS64, be},
	"ppc64le":  {elf.EM_PPC64, elf.ELFCLASS64, le},
	"riscv64":  {elf.EM_RISCV, elf.ELFCLASS64, le},
	"s390x":    {elf.EM_S390, elf.ELFCLASS64, be},
}

// checkPlatform: Linux (the image runs on k3s nodes; a macOS or Windows
// build of openova cannot be their image) and an architecture Go builds
// Linux binaries for.
func checkPlatform(p v1.Platform) error {
	if p.OS != "linux" {
		return fmt.Errorf("the image's OS is %q: the manager's image runs on Linux nodes, so it is built from a linux binary (GOOS=linux go build ./cmd/openova) for OS linux", p.OS)
	}
	if _, ok := elfArches[p.Architecture]; !ok {
		return fmt.Errorf("unknown architecture %q for the image: use one of Go's names (%s), e.g. arm64 for Hetzner's cax servers", p.Architecture, strings.Join(knownArches(), ", "))
	}
	return nil
}

func knownArches() []string {
	out := make([]string, 0, len(elfArches))
	for a := range elfArches {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// checkExecutable: the binary is a Linux executable for p, and statically
// linked, since the image holds no C library or dynamic loader to run
// anything else (build with CGO_ENABLED=0).
func checkExecutable(r io.ReaderAt, path string, p v1.Platform) error {
	f, err := elf.NewFile(r)
	if err != nil {
		return fmt.Errorf("the binary %s is not a Linux executable (%v): build the image from openova built with GOOS=linux", path, err)
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("the binary %s is an ELF %s, not an executable: give the path of the openova executable", path, f.Type)
	}
	want := elfArches[p.Architecture]
	if f.Machine != want.machine || f.Class != want.class || f.ByteOrder != want.order {
		return fmt.Errorf("the binary %s is built for %s, not %s: build openova with GOOS=linux GOARCH=%s, or build the image for %s",
			path, archOf(f), p.Architecture, p.Architecture, archOf(f))
	}
	for _, prog := range f.Progs {
		if prog.Type != elf.PT_INTERP {
			continue
		}
		interp, _ := io.ReadAll(io.LimitReader(prog.Open(), 256))
		return fmt.Errorf("the binary %s is dynamically linked (it needs %s), and the image holds no C library: build openova with CGO_ENABLED=0",
			path, strings.TrimRight(string(interp), "\x00"))
	}
	return nil
}

// archOf names the GOARCH an ELF header is for, or describes the header.
func archOf(f *elf.File) string {
	for _, name := range knownArches() {
		a := elfArches[name]
		if f.Machine == a.machine && f.Class == a.class && f.ByteOrder == a.order {
			return name
		}
	}
	return fmt.Sprintf("%s %s", f.Machine, f.Class)
}
