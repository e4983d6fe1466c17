"""The benchmark's task functions for the Python systems, mirroring src/tasks.ts.

They live in their own module so that workers of every start method (spawn included) import
them by name, the way multiprocessing pickles functions.
"""


def inc(x):
    """`tiny`: the smallest useful task, so the cost measured is the pool's, not the work's."""
    return x + 1


def square(x):
    """`map` and `stream`."""
    return x * x


def fib(n):
    """`cpu`: naive recursion, pure CPU."""
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def echo(value):
    """`payload`: returns its argument, so the value crosses the channel twice."""
    return value
