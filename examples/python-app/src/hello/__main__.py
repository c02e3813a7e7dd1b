import greeting

print(greeting.greet("the example app"))
