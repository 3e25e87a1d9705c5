from switchex.fast import main

main()
