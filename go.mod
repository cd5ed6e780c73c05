module github.com/tcpcheck/tcpcheck

go 1.24

require (
	github.com/emicklei/dot v1.6.2 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	pgregory.net/rapid v1.3.0 // indirect
)
