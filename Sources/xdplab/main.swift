print("xdplab")
