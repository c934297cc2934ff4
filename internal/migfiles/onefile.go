package migfiles

import (
	"bytes"
	"io/fs"
	"time"
)

// LoadFile reads one file given by its name and contents as Load reads a directory holding
// only it: the format from the name and the markers, the up section of a file that has two.
// steady lint FILE reads a file alone this way.
func LoadFile(name string, body []byte) ([]Migration, error) {
	return Load(oneFile{name: name, body: body})
}

// oneFile is a directory holding one file, in memory.
type oneFile struct {
	name string
	body []byte
}

func (d oneFile) info() fs.FileInfo { return fileInfo{name: d.name, size: int64(len(d.body))} }

func (d oneFile) Open(name string) (fs.File, error) {
	if name != d.name {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &openFile{info: d.info(), Reader: bytes.NewReader(d.body)}, nil
}

func (d oneFile) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return []fs.DirEntry{fs.FileInfoToDirEntry(d.info())}, nil
}

func (d oneFile) ReadFile(name string) ([]byte, error) {
	if name != d.name {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return bytes.Clone(d.body), nil
}

func (d oneFile) Stat(name string) (fs.FileInfo, error) {
	if name != d.name {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return d.info(), nil
}

type openFile struct {
	info fs.FileInfo
	*bytes.Reader
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *openFile) Close() error               { return nil }

type fileInfo struct {
	name string
	size int64
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.size }
func (i fileInfo) Mode() fs.FileMode  { return 0o444 }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }
