module github.com/tcpcheck/tcpcheck

go 1.24

require (
	github.com/stretchr/testify v1.12.1
	pgregory.net/rapid v1.3.0
)

require (
	github.com/emicklei/dot v1.6.2 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
