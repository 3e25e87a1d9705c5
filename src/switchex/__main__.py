from switchex.cli.main import main

main()
