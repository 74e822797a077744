print("merge-daconv: under construction")
